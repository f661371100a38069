// Kept for embedders: the error types live in base/ (shared by spec/ and libcontainer/).
#pragma once

#include "base/error.h"
