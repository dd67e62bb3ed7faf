// Only the header matters: the symbol comes from libclang_rt.fuzzer, linked by -sanitize=fuzzer.
#include "CFuzzDriver.h"
