import { describeSqlStoreContracts } from '../support/store-contracts.suite.js';

describeSqlStoreContracts('sqlite');
