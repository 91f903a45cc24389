import type { Patient, Provider } from '@medisync/shared/domain';
import type { Key } from 'react-aria-components';
import { ListBox, ListBoxItem } from 'react-aria-components';
import { formatTimeOfDay } from '../../shell/time.js';
import { visitTypeLabel } from '../labels.js';
import { patientListName } from '../names.js';
import type { DaySlot } from './use-booking-day.js';

export function slotKey(slot: { providerId: string; start: string }): string {
  return `${slot.providerId}|${slot.start}`;
}

/**
 * The day's slots as a grid of options: arrow keys move (the selection
 * follows), Enter books the slot in hand. A taken slot says who holds it;
 * choosing it is refused with the clash named.
 */
export function SlotGrid({
  slots,
  label,
  selected,
  onSelect,
  onBook,
  providerById,
  patients,
  showProvider,
  timeZone,
}: {
  slots: readonly DaySlot[];
  label: string;
  selected: string | null;
  onSelect: (key: string | null) => void;
  onBook: (slot: DaySlot) => void;
  providerById: ReadonlyMap<string, Provider>;
  patients: ReadonlyMap<string, Patient>;
  showProvider: boolean;
  timeZone: string;
}) {
  const byKey = new Map(slots.map((slot) => [slotKey(slot), slot]));
  const act = (key: Key) => {
    const slot = byKey.get(String(key));
    if (slot) onBook(slot);
  };
  return (
    <ListBox
      aria-label={label}
      className="slots"
      layout="grid"
      items={slots.map((slot) => ({ ...slot, id: slotKey(slot) }))}
      selectionMode="single"
      selectionBehavior="replace"
      selectedKeys={selected === null ? [] : [selected]}
      onSelectionChange={(keys) => {
        const [key] = keys === 'all' ? [] : [...keys];
        onSelect(key === undefined ? null : String(key));
      }}
      onAction={act}
      disabledKeys={slots.filter((s) => s.past || s.noRoom).map(slotKey)}
      data-testid="slots"
    >
      {(slot) => (
        <SlotOption
          slot={slot}
          providerById={providerById}
          patients={patients}
          showProvider={showProvider}
          timeZone={timeZone}
        />
      )}
    </ListBox>
  );
}

function SlotOption({
  slot,
  providerById,
  patients,
  showProvider,
  timeZone,
}: {
  slot: DaySlot & { id: string };
  providerById: ReadonlyMap<string, Provider>;
  patients: ReadonlyMap<string, Patient>;
  showProvider: boolean;
  timeZone: string;
}) {
  const time = formatTimeOfDay(slot.start, timeZone);
  const provider = providerById.get(slot.providerId)?.displayName ?? 'Provider';
  const holder = slot.takenBy ? patientListName(patients.get(slot.takenBy.patientId)) : null;
  const state = slot.past ? 'past' : slot.takenBy ? 'taken' : slot.noRoom ? 'no-room' : 'free';
  const words =
    state === 'past'
      ? 'Passed'
      : state === 'no-room'
        ? 'No room or equipment free'
        : holder !== null
          ? `Taken: ${holder}, ${visitTypeLabel(slot.takenBy!.visitType)}`
          : showProvider
            ? provider
            : 'Free';
  return (
    <ListBoxItem
      id={slot.id}
      textValue={`${time} ${showProvider ? provider : ''} ${words}`}
      className={`slot slot--${state}`}
      data-testid="slot"
      data-start={slot.start}
      data-state={state}
    >
      <time dateTime={slot.start} className="slot__time">
        {time}
      </time>
      <span className="slot__what">{words}</span>
    </ListBoxItem>
  );
}
