import type { ReactNode } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';

/**
 * A question before a step that is awkward to take back ("Mark A-004 as a
 * no-show?", "Merge these patients?"). Modal, Esc or a click outside cancels,
 * focus returns to where it was; the confirm button has the focus, so Enter confirms.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  cancelLabel = 'Cancel',
  danger = false,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** The step gives up on something (a visit marked a no-show), as FormDialog's `danger`. */
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ModalOverlay className="overlay" isOpen isDismissable onOpenChange={(open) => !open && onCancel()}>
      <Modal className="overlay__modal">
        <Dialog role="alertdialog" className="desk-dialog">
          <Heading slot="title" className="desk-dialog__title">
            {title}
          </Heading>
          <div className="desk-dialog__body">{children}</div>
          <div className="desk-dialog__actions">
            <Button className="button" onPress={onCancel}>
              {cancelLabel}
            </Button>
            <Button className={`button ${danger ? 'button--danger' : 'button--primary'}`} onPress={onConfirm} autoFocus>
              {confirmLabel}
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
