#!/usr/bin/env node
// The tenantscope command. tsx compiles the TypeScript sources as they load, so the shipped
// code is the code that was tested; there is no separate build output to go stale.
'use strict';
require('tsx/cjs');
require('../services/cli/main.ts');
