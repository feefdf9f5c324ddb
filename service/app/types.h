// Shared types of the application layer: it joins the core (engine,
// validation) with the Store for one caller. No gRPC includes, so it is
// tested directly.
#pragma once

#include "app/audit_trail.h"
#include "app/pseudonym.h"
#include "auth/caller.h"
#include "core/engine.h"
#include "storage/store.h"
