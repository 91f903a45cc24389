/** What the help overlay (`?`) lists. A screen that adds a shortcut adds its line here. */
export interface ShortcutGroup {
  title: string;
  shortcuts: readonly { keys: readonly string[]; does: string }[];
}

export const shortcutGroups: readonly ShortcutGroup[] = [
  {
    title: 'Anywhere',
    shortcuts: [
      { keys: ['/'], does: 'Find a patient' },
      { keys: ['Ctrl', 'K'], does: 'Find a patient, even while typing elsewhere' },
      { keys: ['?'], does: 'Show this list' },
      { keys: ['Alt', '1…5'], does: 'Today, Queue, Patients, Book, Inbox' },
      { keys: ['Esc'], does: 'Close the visit panel or this list' },
    ],
  },
  {
    title: 'Today',
    shortcuts: [
      { keys: ['↑', '↓'], does: 'Previous or next appointment of the provider' },
      { keys: ['←', '→'], does: "The neighbouring provider's appointment" },
      { keys: ['Enter'], does: 'Open the visit panel' },
      { keys: ['C'], does: 'Check in (opens the checklist)' },
      { keys: ['N'], does: 'Mark a no-show (asks first)' },
      { keys: ['U'], does: 'Undo the last step of the appointment' },
      { keys: ['[', ']'], does: 'Previous or next day' },
      { keys: ['T'], does: 'Back to today' },
    ],
  },
  {
    title: 'Queue',
    shortcuts: [
      { keys: ['Shift', 'C'], does: 'Call the next patient to the chosen room' },
      { keys: ['↑', '↓'], does: 'Previous or next ticket in the column' },
      { keys: ['←', '→'], does: 'The neighbouring column' },
      { keys: ['C'], does: 'Call this ticket (asks why when out of turn)' },
      { keys: ['I'], does: 'The called patient is in the room' },
      { keys: ['D'], does: 'Done' },
      { keys: ['R'], does: 'Recall: call the ticket again' },
      { keys: ['M'], does: 'Change the room' },
      { keys: ['Q'], does: 'Back to waiting' },
      { keys: ['N'], does: 'Mark a no-show (asks first)' },
      { keys: ['U'], does: 'Undo the last step of the ticket' },
    ],
  },
  {
    title: 'Book',
    shortcuts: [
      { keys: ['↑', '↓', '←', '→'], does: 'Move between slots' },
      { keys: ['Enter'], does: 'Book the slot (or move the appointment being rescheduled)' },
      { keys: ['[', ']'], does: 'Previous or next day' },
    ],
  },
];
