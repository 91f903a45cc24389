import { useObservable } from '@medisync/desktop/shell/browser';
import type { DisplayQueueEntry } from '@medisync/shared/domain';
import { useMemo } from 'react';
import type { EnrolledDevice } from '../device/KioskDevice.js';
import type { Language } from '../i18n/index.js';
import { DisplayBoard } from './DisplayBoard.js';
import { replicaDisplayFeed } from './replica-display-feed.js';

export function DisplayScreen({ device, language }: { device: EnrolledDevice; language: Language }) {
  const feed = useMemo(() => replicaDisplayFeed(device.db, device.enrollment.site.timezone), [device]);
  const calls = useObservable(feed, [] as DisplayQueueEntry[]);
  return <DisplayBoard calls={calls} language={language} />;
}
