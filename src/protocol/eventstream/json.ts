/** Event bodies of the JSON protocols: the structure's members as a JSON object (`application/json`). */
import { writeJsonStructure } from '../json/values.js';
import type { EventBodyWriter } from './events.js';

export const jsonEventBodies: EventBodyWriter = {
  contentType: 'application/json',
  structure: (shape, value) => JSON.stringify(writeJsonStructure(shape, value)),
};
