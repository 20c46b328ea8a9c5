/** The Heroku Platform API double for tests: start it with fixtures, point a HerokuClient at `url`. */
export { startHerokuDouble } from "./server";
export type { DoubleOptions, FaultSpec, HerokuDouble, RecordedRequest } from "./server";
export type { AppFixture, DoubleFixtures, TokenSpec } from "./fixtures";
export {
  buildAccountFixtures,
  ADMIN_ONLY_TOKEN,
  EXAMPLE_DATABASE,
  FULL_TOKEN,
  READ_ONLY_TOKEN,
} from "./account";
export { herokuSchema } from "./schema-validator";
