import { Entity } from 'typeorm';
import { AbstractUserSessionEntity } from './abstract-user-session.entity.js';

/** The `session` table, as Django's `django_session`, with its users' columns. */
@Entity('session')
export class SessionEntity extends AbstractUserSessionEntity {}
