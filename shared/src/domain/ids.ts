import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { sha256Hex } from './sha256.js';

/**
 * Ids are UUIDv7 made on the device that creates the record, so a record
 * created offline needs no server round trip and ids still sort by creation time.
 */
export function newId(): string {
  return uuidv7();
}

export const idSchema = z.uuid();

/**
 * The id of a record there is exactly one of per something else: an RFC 9562
 * version-8 UUID from the SHA-256 of its namespace and name. Two writers making
 * "the same" record (two desks billing one visit offline, two server instances
 * raising one notice) make one record, which merges into one.
 */
export function nameBasedId(namespace: string, ...name: string[]): string {
  const hex = sha256Hex(`medisync:${namespace}:v1:${name.join(':')}`)
    .slice(0, 32)
    .split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
