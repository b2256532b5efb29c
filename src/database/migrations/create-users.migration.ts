import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The demo's accounts: `app_user`, a unique name and a password hash each. */
export class CreateUsers1796601700000 implements MigrationInterface {
  name = 'CreateUsers1796601700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "app_user" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "username" character varying(40) NOT NULL,
        "password_hash" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "app_user_pkey" PRIMARY KEY ("id")
      )`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "app_user_username_key" ON "app_user" ("username")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "app_user_username_key"`);
    await queryRunner.query(`DROP TABLE "app_user"`);
  }
}
