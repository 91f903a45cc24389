import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { shortcutGroups } from './shortcut-list.js';

/** The keyboard shortcuts, one `?` away. A modal dialog: Esc or the button closes it and focus returns. */
export function HelpOverlay({ isOpen, onOpenChange }: { isOpen: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <ModalOverlay className="overlay" isOpen={isOpen} onOpenChange={onOpenChange} isDismissable>
      <Modal className="overlay__modal">
        <Dialog className="help" aria-labelledby="help-title">
          {({ close }) => (
            <>
              <Heading slot="title" id="help-title" className="help__title">
                Keyboard shortcuts
              </Heading>
              {shortcutGroups.map((group) => (
                <section key={group.title} className="help__group" aria-label={group.title}>
                  <h3>{group.title}</h3>
                  <dl className="help__list">
                    {group.shortcuts.map((shortcut) => (
                      <div key={shortcut.does} className="help__item">
                        <dt>
                          {shortcut.keys.map((key, index) => (
                            <span key={key}>
                              {index > 0 && <span aria-hidden="true"> + </span>}
                              <kbd>{key}</kbd>
                            </span>
                          ))}
                        </dt>
                        <dd>{shortcut.does}</dd>
                      </div>
                    ))}
                  </dl>
                </section>
              ))}
              <Button className="button" onPress={close} autoFocus>
                Close
              </Button>
            </>
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
