import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** A demo account: a name and a scrypt hash of its password. */
@Entity('app_user')
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'app_user_pkey' })
  id!: string;

  @Index('app_user_username_key', { unique: true })
  @Column({ type: 'varchar', length: 40 })
  username!: string;

  /** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
