import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The demo's notes and uploads, each keyed by the session that owns it. */
export class CreateVisitorData1796515300000 implements MigrationInterface {
  name = 'CreateVisitorData1796515300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "note" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "session_key" character varying(40) NOT NULL,
        "text" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "note_pkey" PRIMARY KEY ("id")
      )`,
    );
    await queryRunner.query(
      `CREATE INDEX "note_session_key_idx" ON "note" ("session_key")`,
    );
    await queryRunner.query(
      `CREATE TABLE "upload" (
        "id" uuid NOT NULL,
        "session_key" character varying(40) NOT NULL,
        "name" character varying(100) NOT NULL,
        "content_type" character varying(60) NOT NULL,
        "size" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "upload_pkey" PRIMARY KEY ("id")
      )`,
    );
    await queryRunner.query(
      `CREATE INDEX "upload_session_key_idx" ON "upload" ("session_key")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "upload"`);
    await queryRunner.query(`DROP TABLE "note"`);
  }
}
