import type { ReactNode } from 'react';
import { Button, Dialog, Form, Heading, Modal, ModalOverlay } from 'react-aria-components';

/**
 * A small form in a modal, the one every desk screen uses (a call, a room, a
 * cancellation, a refund, an invoice by email, an insurer's answer): a heading,
 * what the action does, the fields, the error it met, Cancel and the action.
 * Esc or a click outside cancels. Fields validate as the user types and show
 * their own error (`validationBehavior="aria"`); the action is what decides.
 */
export function FormDialog({
  title,
  intro,
  children,
  submitLabel,
  submitDisabled = false,
  danger = false,
  onSubmit,
  onCancel,
  error,
  cancelLabel = 'Cancel',
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  submitLabel: ReactNode;
  submitDisabled?: boolean;
  /** The action destroys or gives back something (a cancellation, a refund). */
  danger?: boolean;
  cancelLabel?: string;
  onSubmit: () => void;
  onCancel: () => void;
  error?: string | null;
}) {
  return (
    <ModalOverlay className="overlay" isOpen isDismissable onOpenChange={(open) => !open && onCancel()}>
      <Modal className="overlay__modal">
        <Dialog className="desk-dialog">
          <Heading slot="title" className="desk-dialog__title">
            {title}
          </Heading>
          <Form
            className="desk-dialog__body"
            validationBehavior="aria"
            onSubmit={(event) => {
              event.preventDefault();
              onSubmit();
            }}
          >
            {intro && <p>{intro}</p>}
            {children}
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <div className="desk-dialog__actions">
              <Button className="button" onPress={onCancel}>
                {cancelLabel}
              </Button>
              <Button
                className={`button ${danger ? 'button--danger' : 'button--primary'}`}
                type="submit"
                isDisabled={submitDisabled}
              >
                {submitLabel}
              </Button>
            </div>
          </Form>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
