/**
 * Reading and writing a job's record (its Describe document) and its secondary status transitions. Writes are
 * read-modify-write in one transaction; a job that was deleted meanwhile stays deleted.
 */
import type { Database } from '../../../persistence/db.js';
import { store, type ResourceRecord } from '../store.js';

export type JobDocument = Record<string, unknown> & {
  /** Internal (not in any API shape): which attempt runs (RetryStrategy, restarts). */
  __attempt?: number;
};

export interface Transition {
  readonly Status: string;
  readonly StartTime: string;
  EndTime?: string;
  StatusMessage?: string;
}

/** A committed change of a job's record. */
export interface JobChange {
  readonly arn: string;
  readonly kind: string;
  readonly before: JobDocument;
  readonly after: JobDocument;
  readonly statusField: string;
  readonly at: number;
}

export class JobRecords {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    /** Told after every committed change of a job's record (pipeline steps wake on it). */
    private readonly onChange?: (change: JobChange) => void,
  ) {}

  get(arn: string): Promise<ResourceRecord<JobDocument> | undefined> {
    return store.get<JobDocument>(this.db.kysely, arn);
  }

  /** Applies `change` to the document; `statusField` names the status member mirrored into the status column. */
  async update(arn: string, statusField: string, change: (doc: JobDocument) => JobDocument): Promise<JobDocument | undefined> {
    const now = this.now();
    const written = await this.db.transaction(async (trx) => {
      const r = await store.get<JobDocument>(trx, arn);
      if (!r) return undefined;
      const doc = change({ ...r.doc });
      doc.LastModifiedTime = new Date(now).toISOString();
      await store.update(trx, arn, { doc, status: String(doc[statusField] ?? r.status), modifiedAt: now });
      return { before: r.doc, doc, kind: r.kind };
    });
    if (!written) return undefined;
    this.onChange?.({ arn, kind: written.kind, before: written.before, after: written.doc, statusField, at: now });
    return written.doc;
  }

  /** A training job's secondary status: closes the open transition and opens the next. */
  secondary(arn: string, status: string, message: string, extra: (doc: JobDocument) => JobDocument = (d) => d): Promise<JobDocument | undefined> {
    const at = new Date(this.now()).toISOString();
    return this.update(arn, 'TrainingJobStatus', (doc) => {
      const transitions = [...((doc.SecondaryStatusTransitions as Transition[] | undefined) ?? [])].map((t) => ({ ...t }));
      const open = transitions[transitions.length - 1];
      // The same status again only says more about it (Starting is written by Create, then by the runner).
      if (open && open.EndTime === undefined && open.Status === status) open.StatusMessage = message;
      else {
        if (open && open.EndTime === undefined) open.EndTime = at;
        transitions.push({ Status: status, StartTime: at, StatusMessage: message });
      }
      return extra({ ...doc, SecondaryStatus: status, SecondaryStatusTransitions: transitions });
    });
  }
}
