import { useObservable } from '@medisync/desktop/shell/browser';
import type { DisplayQueueEntry, QueueSummary, Site } from '@medisync/shared/domain';
import { useMemo } from 'react';
import type { EnrolledDevice } from '../device/KioskDevice.js';
import type { Language } from '../i18n/index.js';
import { DisplayBoard } from './DisplayBoard.js';
import { soundAnnouncer } from './lobby-sound.js';
import { replicaDisplayFeed, replicaQueueSummaries, replicaSite } from './replica-display-feed.js';

/**
 * The waiting-room display over its replica. `?chime=0` silences the chime;
 * `?speech=1` also speaks each call in the display's language.
 */
export function DisplayScreen({ device, language }: { device: EnrolledDevice; language: Language }) {
  const { site } = device.enrollment;
  const feed = useMemo(() => replicaDisplayFeed(device.db, site.timezone), [device, site.timezone]);
  const summaries = useMemo(() => replicaQueueSummaries(device.db, site.timezone), [device, site.timezone]);
  const siteFeed = useMemo(() => replicaSite(device.db, site.id), [device, site.id]);
  const announcer = useMemo(() => {
    const params = new URLSearchParams(location.search);
    return soundAnnouncer({ chime: params.get('chime') !== '0', speech: params.get('speech') === '1' });
  }, []);
  const calls = useObservable(feed, [] as DisplayQueueEntry[]);
  const queues = useObservable(summaries, [] as QueueSummary[]);
  const current = useObservable(siteFeed, null as Site | null);
  const sync = useObservable(device.sync.state$, device.sync.state);
  return (
    <DisplayBoard
      calls={calls}
      queues={queues}
      clinicName={current?.name ?? site.name}
      timeZone={current?.timezone ?? site.timezone}
      language={language}
      announcer={announcer}
      settled={sync.firstSync.usable}
    />
  );
}
