import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gives the `session` table the user logged in on each session (indexed, to
 * list and revoke a user's sessions), and when each session was created and
 * last saved. Nullable columns and a constant-time default: no table
 * rewrite, however many sessions there are; sessions already stored count as
 * created and seen when it runs.
 */
export class AddSessionUsers1796601600000 implements MigrationInterface {
  name = 'AddSessionUsers1796601600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "session"
        ADD "auth_user_id" character varying(255),
        ADD "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        ADD "last_seen" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
    await queryRunner.query(
      `CREATE INDEX "session_auth_user_id_idx" ON "session" ("auth_user_id") WHERE "auth_user_id" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "session_auth_user_id_idx"`);
    await queryRunner.query(
      `ALTER TABLE "session" DROP COLUMN "last_seen", DROP COLUMN "created_at", DROP COLUMN "auth_user_id"`,
    );
  }
}
