export { HerokuToHasura, HerokuToHasuraArgs, HEROKU_TO_HASURA_TYPE } from "./heroku-to-hasura";
export { prepareMigration } from "./prepare";
