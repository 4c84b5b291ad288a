import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/module';
export async function callRoutes(_app: FastifyInstance, _ctx: AppContext) {}
