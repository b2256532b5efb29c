import {
  BadRequestException,
  ConflictException,
  Injectable,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { authHashOf, hashPassword, verifyPassword } from './passwords.js';
import { User } from './user.entity.js';

const USERNAME = /^[a-z0-9_.-]{3,40}$/;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 200;
/** Signs the auth hashes when `SESSION_SECRET` is not set (a demo, not production). */
const DEMO_SECRET = 'nest-sessions demo: set SESSION_SECRET in production';

/** The demo's accounts: sign-up, password checks and changes, auth hashes. */
@Injectable()
export class UsersService {
  private readonly secret: string;
  /** Checked against when the name is unknown, so that both cost the same. */
  private readonly decoy = hashPassword('no such user: a decoy');

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    config: ConfigService,
  ) {
    this.secret = config.get<string>('SESSION_SECRET') || DEMO_SECRET;
  }

  /** A new account; 400 for a name or password it refuses, 409 for a name taken. */
  async signUp(username: unknown, password: unknown): Promise<User> {
    const name = checkedUsername(username);
    const passwordHash = await hashPassword(checkedPassword(password));
    try {
      return await this.users.save(
        this.users.create({ username: name, passwordHash }),
      );
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === '23505'
      ) {
        throw new ConflictException(
          `The name ${name} is taken: choose another.`,
        );
      }
      throw error;
    }
  }

  /** The account with this name and password, or `null`. */
  async authenticate(
    username: unknown,
    password: unknown,
  ): Promise<User | null> {
    const user =
      typeof username === 'string'
        ? await this.users.findOneBy({
            username: username.trim().toLowerCase(),
          })
        : null;
    const valid = await verifyPassword(
      typeof password === 'string' ? password : '',
      user?.passwordHash ?? (await this.decoy),
    );
    return valid ? user : null;
  }

  /** Sets a new password once the current one is given; returns the new auth hash. */
  async changePassword(
    userId: string,
    current: unknown,
    next: unknown,
  ): Promise<string> {
    const user = await this.users.findOneByOrFail({ id: userId });
    if (
      !(await verifyPassword(
        typeof current === 'string' ? current : '',
        user.passwordHash,
      ))
    ) {
      throw new BadRequestException('The current password is not right.');
    }
    user.passwordHash = await hashPassword(checkedPassword(next));
    await this.users.save(user);
    return this.authHash(user);
  }

  find(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** The session auth hash of a user, which their password changes. */
  authHash(user: User): string {
    return authHashOf(user.passwordHash, this.secret);
  }

  /** `auth.currentHash` of the sessions module: the user's hash, or null if gone. */
  async currentAuthHash(userId: string): Promise<string | null> {
    const user = isUuid(userId) ? await this.find(userId) : null;
    return user === null ? null : this.authHash(user);
  }
}

function checkedUsername(value: unknown): string {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!USERNAME.test(name)) {
    throw new BadRequestException(
      'A name is 3 to 40 characters: letters, digits, dots, dashes and underscores.',
    );
  }
  return name;
}

function checkedPassword(value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length < MIN_PASSWORD ||
    value.length > MAX_PASSWORD ||
    value.includes('\u0000')
  ) {
    throw new BadRequestException(
      `A password is ${MIN_PASSWORD} to ${MAX_PASSWORD} characters.`,
    );
  }
  return value;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(
    value,
  );
}
