import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** A note an anonymous visitor wrote: it belongs to their session, and goes with it. */
@Entity('note')
export class Note {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The session that owns the note. */
  @Index('note_session_key_idx')
  @Column({ name: 'session_key', type: 'varchar', length: 40 })
  sessionKey!: string;

  @Column({ type: 'text' })
  text!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
