import { Column, Index, PrimaryColumn } from 'typeorm';

/**
 * The columns every session row has, as Django's `AbstractBaseSession`.
 * Extend it to add columns of your own (a `tenant_id`, say) and pass your
 * class as the `entity` option; extend `AbstractUserSessionEntity` instead
 * to keep per-user sessions:
 *
 * ```ts
 * @Entity('session')
 * export class AppSession extends AbstractUserSessionEntity {
 *   @Column({ name: 'tenant_id', type: 'integer', nullable: true })
 *   tenantId!: number | null;
 * }
 * ```
 */
export abstract class AbstractSessionEntity {
  /**
   * The key, 32 characters from `[a-z0-9]` from a CSPRNG; with `hashKeys`,
   * its SHA-256 in hex (64 characters).
   */
  @PrimaryColumn({
    name: 'session_key',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'session_pkey',
  })
  sessionKey!: string;

  /** The session's data: a JSON object. */
  @Column({ name: 'session_data', type: 'jsonb' })
  sessionData!: Record<string, unknown>;

  /** When the session expires, by the database's clock. */
  @Index('session_expire_date_idx')
  @Column({ name: 'expire_date', type: 'timestamptz' })
  expireDate!: Date;
}
