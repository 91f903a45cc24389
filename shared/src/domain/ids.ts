import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/**
 * Ids are UUIDv7 made on the device that creates the record, so a record
 * created offline needs no server round trip and ids still sort by creation time.
 */
export function newId(): string {
  return uuidv7();
}

export const idSchema = z.uuid();
