// The file helpers live in base/ (one set for the whole tree).
#pragma once

#include "base/file.h"
