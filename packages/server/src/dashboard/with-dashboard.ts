/** withDashboard: puts the dashboard's files in front of the API's request listener on the API port. */
import type { NodeRequestHandler } from '@sluice/http';
import { DashboardFiles } from './dashboard-files.js';

/** A listener answering /dashboard and /dashboard/* itself and everything else with `api`. */
export function withDashboard(api: NodeRequestHandler, files = new DashboardFiles()): NodeRequestHandler {
  return (req, res, next) => {
    if (!files.handle(req, res)) api(req, res, next);
  };
}
