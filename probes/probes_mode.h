/* Whether a run loads the probes (--probes auto|on|off): what probes_open takes and the
 * driver's options hold. */
#ifndef SPAWNSCOPE_PROBES_MODE_H
#define SPAWNSCOPE_PROBES_MODE_H

enum probes_mode { PROBES_AUTO, PROBES_ON, PROBES_OFF };

#endif
