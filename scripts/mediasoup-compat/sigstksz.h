/* glibc 2.34 made SIGSTKSZ a run-time value; mediasoup 3.8.4's bundled abseil uses it
 * as a compile-time constant. Force-included into every C++ unit of the worker build. */
#include <signal.h>
#undef SIGSTKSZ
#define SIGSTKSZ 8192
