import { Entity } from 'typeorm';
import { AbstractSessionEntity } from './abstract-session.entity.js';

/** The `session` table, as Django's `django_session`. */
@Entity('session')
export class SessionEntity extends AbstractSessionEntity {}
