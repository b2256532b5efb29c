import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
} from 'typeorm';

/**
 * A file an anonymous visitor uploaded: the row here, the bytes on disk
 * under the session's folder, in a file named by `id`.
 */
@Entity('upload')
export class Upload {
  /** Also the file's name on disk. */
  @PrimaryColumn('uuid')
  id!: string;

  /** The session that owns the file. */
  @Index('upload_session_key_idx')
  @Column({ name: 'session_key', type: 'varchar', length: 40 })
  sessionKey!: string;

  /** The name the visitor's browser gave, cleaned, for display only. */
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** The type read from the file's first bytes, not the one the browser claimed. */
  @Column({ name: 'content_type', type: 'varchar', length: 60 })
  contentType!: string;

  @Column({ type: 'integer' })
  size!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
