import type { Database, Migration } from '../../persistence/db.js';
import { createDocumentTable, documentMigration } from '../../persistence/documents.js';
import type { StoredInvitation, StoredShare } from './model.js';

export const ramMigrations: Migration[] = [documentMigration('ram-001-documents', 'ram_documents')];

/** Shares are scoped by owner account, invitations by receiver, the organization flag by management account. */
export interface RamStore {
  share(owner: string, arn: string): Promise<StoredShare | undefined>;
  shares(owner?: string): Promise<StoredShare[]>;
  putShare(s: StoredShare): Promise<void>;
  invitations(receiver: string): Promise<StoredInvitation[]>;
  invitationsOf(shareArn: string): Promise<StoredInvitation[]>;
  putInvitation(i: StoredInvitation): Promise<void>;
  orgSharingEnabled(managementAccount: string): Promise<boolean>;
  enableOrgSharing(managementAccount: string): Promise<void>;
}

export function createRamStore(db: Database): RamStore {
  const docs = createDocumentTable(db, 'ram_documents');
  return {
    share: (owner, arn) => docs.get<StoredShare>(owner, 'share', arn),
    shares: async (owner) => (await docs.list<StoredShare>(owner, 'share')).map((r) => r.doc),
    putShare: (s) => docs.put(s.owner, 'share', s.arn, s),
    invitations: async (receiver) => (await docs.list<StoredInvitation>(receiver, 'invitation')).map((r) => r.doc),
    invitationsOf: async (shareArn) => (await docs.list<StoredInvitation>(undefined, 'invitation')).map((r) => r.doc).filter((i) => i.shareArn === shareArn),
    putInvitation: (i) => docs.put(i.receiver, 'invitation', i.arn, i),
    orgSharingEnabled: async (m) => (await docs.get<boolean>(m, 'org-sharing', 'enabled')) === true,
    enableOrgSharing: (m) => docs.put(m, 'org-sharing', 'enabled', true),
  };
}
