// Boost.JSON includes both SSE headers; everything it uses is in emmintrin.h here.
#pragma once
#include "emmintrin.h"
