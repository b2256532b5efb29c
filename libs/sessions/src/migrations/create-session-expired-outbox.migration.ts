import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates `session_expired_outbox`, where each cleanup batch leaves the keys
 * it deleted for `@AfterSessionsExpired()` until that work is done: one row
 * per batch, the keys as an array.
 */
export class CreateSessionExpiredOutbox1796515200000 implements MigrationInterface {
  name = 'CreateSessionExpiredOutbox1796515200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "session_expired_outbox" (
        "id" bigint GENERATED ALWAYS AS IDENTITY,
        "session_keys" text[] NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "session_expired_outbox_pkey" PRIMARY KEY ("id")
      )`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "session_expired_outbox"`);
  }
}
