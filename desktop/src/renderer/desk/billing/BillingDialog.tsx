import type { FormEvent, ReactNode } from 'react';
import { Button, Dialog, Form, Heading, Modal, ModalOverlay } from 'react-aria-components';

/**
 * The frame of billing's dialogs (refund, email an invoice, the insurer's
 * answer): a title, what the action does, the form's fields, the error it
 * met, and the action beside a way out. Escape or a click outside closes it.
 */
export function BillingDialog({
  title,
  intro,
  onSubmit,
  onClose,
  error,
  action,
  cancel,
  children,
}: {
  title: string;
  intro: ReactNode;
  onSubmit: (event: FormEvent) => void;
  onClose: () => void;
  error: string | null;
  action: { label: ReactNode; disabled: boolean; danger?: boolean };
  cancel: string;
  children: ReactNode;
}) {
  return (
    <ModalOverlay isOpen onOpenChange={(open) => !open && onClose()} isDismissable className="overlay">
      <Modal className="overlay__modal">
        <Dialog className="billing__dialog">
          <Heading slot="title">{title}</Heading>
          <p>{intro}</p>
          <Form onSubmit={onSubmit} validationBehavior="aria">
            {children}
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <div className="billing__dialog-actions">
              <Button
                type="submit"
                className={`button ${action.danger ? 'button--danger' : 'button--primary'}`}
                isDisabled={action.disabled}
              >
                {action.label}
              </Button>
              <Button className="button" onPress={onClose}>
                {cancel}
              </Button>
            </div>
          </Form>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
