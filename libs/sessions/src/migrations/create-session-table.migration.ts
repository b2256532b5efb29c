import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates the `session` table of `SessionEntity`: the key as primary key,
 * the data as `jsonb`, and the expiry date with the index the nightly
 * cleanup walks.
 */
export class CreateSessionTable1795305600000 implements MigrationInterface {
  name = 'CreateSessionTable1795305600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "session" (
        "session_key" character varying(40) NOT NULL,
        "session_data" jsonb NOT NULL,
        "expire_date" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "session_pkey" PRIMARY KEY ("session_key")
      )`,
    );
    await queryRunner.query(
      `CREATE INDEX "session_expire_date_idx" ON "session" ("expire_date")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "session_expire_date_idx"`);
    await queryRunner.query(`DROP TABLE "session"`);
  }
}
