/* The stop flag (stop.h). */
#include "stop.h"

volatile sig_atomic_t g_interrupted;
