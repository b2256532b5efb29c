import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gives the `session` table where each login came from, when the app tells
 * `SessionService.login()`: the address and the `User-Agent`. Nullable
 * columns: no table rewrite.
 */
export class AddSessionClients1796601900000 implements MigrationInterface {
  name = 'AddSessionClients1796601900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "session"
        ADD "ip_address" character varying(45),
        ADD "user_agent" character varying(512)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "session" DROP COLUMN "user_agent", DROP COLUMN "ip_address"`,
    );
  }
}
