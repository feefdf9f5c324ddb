// What every use case of the application layer is built from: the core
// (engine, validation), the Store, the caller, pseudonyms and the audit
// trail. No gRPC includes (the build checks), so app/ is tested directly.
#pragma once

#include "app/audit_trail.h"
#include "app/pseudonym.h"
#include "auth/caller.h"
#include "core/engine.h"
#include "storage/store.h"
