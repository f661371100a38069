// Kept for embedders: UniqueFd lives in base/ (shared by spec/ and libcontainer/).
#pragma once

#include "base/unique_fd.h"
