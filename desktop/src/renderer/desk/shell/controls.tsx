import { parseDate } from '@internationalized/date';
import { memo } from 'react';
import {
  Button,
  Calendar,
  CalendarCell,
  CalendarGrid,
  DateInput,
  DatePicker,
  DateSegment,
  Dialog,
  Group,
  Heading,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
} from 'react-aria-components';

/**
 * The desk's styled React Aria widgets: a select, a day picker and a confirm
 * dialog, so every screen gets the same keyboard behaviour and looks. The
 * select and the day picker redraw only when their props change: React Aria
 * builds their collections anew on every draw, which on a screen redrawn by
 * each live change (Today, at every check-in) was a few milliseconds a time.
 */

export interface Choice {
  id: string;
  label: string;
}

/** A labelled single-choice select; `null` is the first ("all") choice. */
export const ChoiceSelect = memo(function ChoiceSelect({
  label,
  allLabel,
  choices,
  value,
  onChange,
}: {
  label: string;
  allLabel: string;
  choices: readonly Choice[];
  value: string | null;
  onChange: (value: string | null) => void;
}) {
  const items: Choice[] = [{ id: '', label: allLabel }, ...choices];
  return (
    <Select
      className="field select"
      value={value ?? ''}
      onChange={(key) => onChange(key === '' || key === null ? null : String(key))}
    >
      <Label className="field__label">{label}</Label>
      <Button className="select__button">
        <SelectValue className="select__value" />
        <span aria-hidden="true" className="select__chevron">
          ▾
        </span>
      </Button>
      <Popover className="popover">
        <ListBox className="listbox" items={items}>
          {(item) => (
            <ListBoxItem className="listbox__item" id={item.id} textValue={item.label}>
              {item.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
});

/** A day (YYYY-MM-DD) typed segment by segment or picked from a calendar. */
export const DayPicker = memo(function DayPicker({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <DatePicker
      className="field daypicker"
      value={parseDate(value)}
      onChange={(next) => {
        if (next) onChange(next.toString());
      }}
    >
      <Label className="field__label">{label}</Label>
      <Group className="daypicker__group">
        <DateInput className="daypicker__input">
          {(segment) => <DateSegment className="daypicker__segment" segment={segment} />}
        </DateInput>
        <Button className="daypicker__button" aria-label="Open calendar">
          <svg
            aria-hidden="true"
            width="18"
            height="18"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <rect x="3" y="5" width="18" height="16" rx="2" />
            <path d="M3 10h18M8 3v4M16 3v4" />
          </svg>
        </Button>
      </Group>
      <Popover className="popover">
        <Dialog className="calendar-dialog" aria-label="Calendar">
          <Calendar className="calendar">
            <header className="calendar__header">
              <Button slot="previous" className="button button--quiet" aria-label="Previous month">
                ‹
              </Button>
              <Heading className="calendar__title" />
              <Button slot="next" className="button button--quiet" aria-label="Next month">
                ›
              </Button>
            </header>
            <CalendarGrid className="calendar__grid">
              {(date) => <CalendarCell className="calendar__cell" date={date} />}
            </CalendarGrid>
          </Calendar>
        </Dialog>
      </Popover>
    </DatePicker>
  );
});
