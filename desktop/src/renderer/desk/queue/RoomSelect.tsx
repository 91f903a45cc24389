import type { RoomUse } from '@medisync/shared/domain';
import { Button, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, Text } from 'react-aria-components';
import { ROOM_STATE_LABELS } from './RoomsStrip.js';

/** Picks a room to call a patient to: free rooms first, each with what it is doing now. */
export function RoomSelect<E>({
  label,
  rooms,
  selected,
  onChange,
}: {
  label: string;
  rooms: readonly RoomUse<E>[];
  selected: string | null;
  onChange: (roomId: string) => void;
}) {
  return (
    <Select
      className="desk-field room-select"
      selectedKey={selected}
      onSelectionChange={(key) => key !== null && onChange(String(key))}
      isDisabled={rooms.length === 0}
      placeholder="No room available"
    >
      <Label className="desk-field__label">{label}</Label>
      <Button className="button room-select__button">
        <SelectValue>{({ selectedText, defaultChildren }) => selectedText ?? defaultChildren}</SelectValue>
        <span aria-hidden="true">▾</span>
      </Button>
      <Popover className="desk-menu-popover">
        <ListBox className="desk-menu" items={rooms.map((use) => ({ id: use.room.id, use }))}>
          {({ id, use }) => (
            <ListBoxItem id={id} className="desk-menu__item" textValue={use.room.name}>
              <Text slot="label">{use.room.name}</Text>
              <Text slot="description" className="desk-menu__hint">
                {ROOM_STATE_LABELS[use.state]}
              </Text>
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}
