/*
 * The subcommands of `wgc`, one per file, each called with argv[0] being the subcommand's
 * name. They print their own errors as "wgc NAME: ..." and return the exit status.
 */
#ifndef WGC_COMMANDS_H
#define WGC_COMMANDS_H

int wgc_genkey_main(int argc, char **argv);
int wgc_genpsk_main(int argc, char **argv);
int wgc_pubkey_main(int argc, char **argv);
int wgc_show_main(int argc, char **argv);
int wgc_metrics_main(int argc, char **argv);
int wgc_events_main(int argc, char **argv);
int wgc_analyze_main(int argc, char **argv);
int wgc_up_main(int argc, char **argv);
int wgc_down_main(int argc, char **argv);

#endif
