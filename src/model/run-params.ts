/** The run parameters of one experiment (the `run` option), as types; RUN and its templates are in run-config/. */

/** Per-experiment run parameters (Python's `**run_params`): they override {@link RUN} for one experiment. */
export interface RunParams {
  readonly user?: string;
  readonly project?: string;
  readonly prefix?: string;
  readonly readme?: string;
  readonly id?: string | bigint;
  readonly now?: Date;
  readonly projectRoot?: string;
  readonly entry?: string | URL;
  readonly pathStem?: string;
  readonly jobCounter?: number;
  readonly jobName?: string;
}
