import {
  assignRoom,
  callToRoom,
  markNoShow,
  roomsForVisit,
  type QueueEntry,
  type RoomUse,
} from '@medisync/shared/domain';
import { useState } from 'react';
import { Label, TextArea, TextField } from 'react-aria-components';
import { FormDialog } from '../shell/FormDialog.js';
import { ConfirmDialog } from '../shell/ConfirmDialog.js';
import { visitTypeLabel } from '../labels.js';
import { RoomSelect } from './RoomSelect.js';
import { ticketName } from './ticket-name.js';
import type { QueueActions } from './use-queue-actions.js';
import type { BoardEntry, QueueBoardData } from './use-queue-board.js';

export type OpenDialog =
  | { kind: 'call'; entryId: string; passedOver: QueueEntry[] }
  | { kind: 'room'; entryId: string }
  | { kind: 'no-show'; entryId: string };

export function QueueDialogs({
  dialog,
  board,
  callable,
  defaultRoomId,
  actions,
  roomName,
  onClose,
}: {
  dialog: OpenDialog;
  board: QueueBoardData;
  callable: RoomUse<BoardEntry>[];
  defaultRoomId: string | null;
  actions: QueueActions;
  roomName: (id: string | null) => string;
  onClose: () => void;
}) {
  const item = board.byId.get(dialog.entryId);
  if (item === undefined) return null;
  switch (dialog.kind) {
    case 'call':
      return (
        <CallDialog
          item={item}
          passed={dialog.passedOver}
          callable={callable}
          defaultRoomId={defaultRoomId}
          actions={actions}
          roomName={roomName}
          onClose={onClose}
        />
      );
    case 'room':
      return <RoomDialog item={item} callable={callable} actions={actions} roomName={roomName} onClose={onClose} />;
    case 'no-show':
      return (
        <ConfirmDialog
          title={`Mark ${item.entry.ticketCode} as a no-show?`}
          confirmLabel="Mark no-show"
          cancelLabel="Keep waiting"
          danger
          onCancel={onClose}
          onConfirm={() => {
            onClose();
            void actions.run(
              item.entry.id,
              markNoShow,
              () => `${item.entry.ticketCode} ${ticketName(item)} marked as a no-show`,
              { undoable: true },
            );
          }}
        >
          <p>{ticketName(item).slice(1, -1) || 'The patient'} leaves the queue. Undo puts them back in their place.</p>
        </ConfirmDialog>
      );
  }
}

function CallDialog({
  item,
  passed,
  callable,
  defaultRoomId,
  actions,
  roomName,
  onClose,
}: {
  item: BoardEntry;
  passed: QueueEntry[];
  callable: RoomUse<BoardEntry>[];
  defaultRoomId: string | null;
  actions: QueueActions;
  roomName: (id: string | null) => string;
  onClose: () => void;
}) {
  // A visit that needs a room kind or equipment is offered only the rooms that have it in service now.
  const suitable = roomsForVisit(callable, item.appointment?.visitType, new Date());
  const [roomId, setRoomId] = useState(
    suitable.some((use) => use.room.id === defaultRoomId) ? defaultRoomId : (suitable[0]?.room.id ?? null),
  );
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const outOfTurn = passed.length > 0;
  const ticket = item.entry.ticketCode;

  async function submit() {
    if (roomId === null) {
      setError('Choose a room to call the patient to.');
      return;
    }
    const why = reason.trim();
    if (outOfTurn && why.length === 0) {
      setError(`Say why ${ticket} goes before ${passed.length === 1 ? 'the patient' : 'the patients'} ahead.`);
      return;
    }
    const saved = await actions.run(
      item.entry.id,
      (entry, step) => callToRoom(entry, roomId, step, outOfTurn ? why : null),
      () => `Called ${ticket} ${ticketName(item)} to ${roomName(roomId)}${outOfTurn ? ` out of turn: ${why}` : ''}`,
      { undoable: true },
    );
    if (saved) onClose();
  }

  return (
    <FormDialog
      title={outOfTurn ? `Call ${ticket} out of turn` : `Call ${ticket}`}
      submitLabel="Call"
      onSubmit={() => void submit()}
      onCancel={onClose}
      error={error}
    >
      {outOfTurn && (
        <p>
          {passed.length === 1 ? '1 patient is' : `${passed.length} patients are`} ahead:{' '}
          {passed
            .slice(0, 5)
            .map((e) => e.ticketCode)
            .join(', ')}
          {passed.length > 5 ? '…' : ''}.
        </p>
      )}
      <RoomSelect label="Room" rooms={suitable} selected={roomId} onChange={setRoomId} />
      <NoSuitableRoom item={item} callable={callable} suitable={suitable} />
      {outOfTurn && (
        <TextField
          className="desk-field"
          value={reason}
          onChange={(value) => {
            setReason(value);
            setError(null);
          }}
          isRequired
          validationBehavior="aria"
          autoFocus
        >
          <Label className="desk-field__label">Reason for calling out of turn</Label>
          <TextArea className="desk-field__input" rows={2} maxLength={200} />
        </TextField>
      )}
    </FormDialog>
  );
}

function RoomDialog({
  item,
  callable,
  actions,
  roomName,
  onClose,
}: {
  item: BoardEntry;
  callable: RoomUse<BoardEntry>[];
  actions: QueueActions;
  roomName: (id: string | null) => string;
  onClose: () => void;
}) {
  const suitable = roomsForVisit(callable, item.appointment?.visitType, new Date());
  const [roomId, setRoomId] = useState(item.entry.roomId ?? suitable[0]?.room.id ?? null);
  return (
    <FormDialog
      title={`Room for ${item.entry.ticketCode}`}
      submitLabel="Change room"
      onCancel={onClose}
      onSubmit={() => {
        if (roomId === null) return;
        onClose();
        void actions.run(
          item.entry.id,
          (entry, step) => assignRoom(entry, roomId, step),
          () => `${item.entry.ticketCode} ${ticketName(item)} goes to ${roomName(roomId)}`,
        );
      }}
    >
      <RoomSelect label="Room" rooms={suitable} selected={roomId} onChange={setRoomId} />
      <NoSuitableRoom item={item} callable={callable} suitable={suitable} />
    </FormDialog>
  );
}

/** Says why no room is offered when the visit needs something no free room has now (docs/architecture.md §9.8). */
function NoSuitableRoom({
  item,
  callable,
  suitable,
}: {
  item: BoardEntry;
  callable: RoomUse<BoardEntry>[];
  suitable: RoomUse<BoardEntry>[];
}) {
  if (suitable.length > 0 || callable.length === 0 || item.appointment === undefined) return null;
  return (
    <p role="status">
      No room has what a {visitTypeLabel(item.appointment.visitType)} needs in service now (Rooms shows the equipment).
    </p>
  );
}
