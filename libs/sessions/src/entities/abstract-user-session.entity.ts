import { Column, Index } from 'typeorm';
import { AbstractSessionEntity } from './abstract-session.entity.js';

/**
 * A session row that also keeps who is logged in on it, when it was
 * created and last saved, and where the login came from (when the app tells
 * `login()`): what the database stores need to list and revoke
 * a user's sessions (`SessionService.listUserSessions()`). `SessionEntity`
 * is one; an app's own entity extends it to get them (the migrations
 * `AddSessionUsers1796601600000` and `AddSessionClients1796601900000` add
 * the columns to the `session` table).
 * An entity that extends `AbstractSessionEntity` alone works as before,
 * without per-user sessions.
 */
export abstract class AbstractUserSessionEntity extends AbstractSessionEntity {
  /**
   * The id of the user logged in on the session (`SessionService.login()`),
   * kept by the store from the data's `_auth_user_id`; `null` for an
   * anonymous session.
   */
  @Index('session_auth_user_id_idx', { where: '"auth_user_id" IS NOT NULL' })
  @Column({
    name: 'auth_user_id',
    type: 'varchar',
    length: 255,
    nullable: true,
  })
  authUserId!: string | null;

  // The columns below are bookkeeping for a user's list of sessions:
  // `select: false`, so that loading sessions (TypeORM's `find()`, the
  // events-mode cleanup) leaves them out unless asked for.

  /** When the session was created, by the database's clock. */
  @Column({
    name: 'created_at',
    type: 'timestamptz',
    default: () => 'now()',
    select: false,
  })
  createdAt!: Date;

  /** When the session was last saved, by the database's clock. */
  @Column({
    name: 'last_seen',
    type: 'timestamptz',
    default: () => 'now()',
    select: false,
  })
  lastSeen!: Date;

  /**
   * The address the login came from, if the app gave it to `login()` (from
   * the data's `_auth_ip`); `null` otherwise.
   */
  @Column({
    name: 'ip_address',
    type: 'varchar',
    length: 45,
    nullable: true,
    select: false,
  })
  ipAddress!: string | null;

  /**
   * The login's `User-Agent`, if the app gave it to `login()` (from the
   * data's `_auth_user_agent`, its first 512 characters); `null` otherwise.
   */
  @Column({
    name: 'user_agent',
    type: 'varchar',
    length: 512,
    nullable: true,
    select: false,
  })
  userAgent!: string | null;
}
