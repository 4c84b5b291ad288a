// Every HTTP route of the calls module.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/module';
import { campaignRoutes } from './campaign-routes';
import { listRoutes } from './list-routes';
import { previewRoutes } from './preview-routes';
import { reportRoutes } from './report-routes';
import { scriptRoutes } from './script-routes';
import { surveyRoutes } from './survey-routes';
import { voiceRoutes } from './voice-routes';

export async function callRoutes(app: FastifyInstance, ctx: AppContext) {
  await scriptRoutes(app, ctx);
  await campaignRoutes(app, ctx);
  await listRoutes(app, ctx);
  await reportRoutes(app, ctx);
  await surveyRoutes(app, ctx);
  await previewRoutes(app, ctx);
  await voiceRoutes(app, ctx);
}
