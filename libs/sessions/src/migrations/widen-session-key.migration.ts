import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Widens `session.session_key` to 64 characters, for the SHA-256 (hex) that
 * `hashKeys` stores instead of the key. Widening a `varchar` rewrites no
 * row. Its `down` narrows it back, which fails while hashed keys remain.
 */
export class WidenSessionKey1796601800000 implements MigrationInterface {
  name = 'WidenSessionKey1796601800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "session" ALTER COLUMN "session_key" TYPE character varying(64)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "session" ALTER COLUMN "session_key" TYPE character varying(40)`,
    );
  }
}
