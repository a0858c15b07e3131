// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

// Compiles Morpho Blue 1.0.0 and its linear interest-rate model from the npm package @morpho-org/morpho-blue (never
// copied here), with solc 0.8.19 as Morpho pins it: the bytecode the local market deploys (scripts/lib/market/morpho.ts).
// IrmMock is Morpho's own test model, named honestly: a borrow APR equal to the market's utilisation.
import {Morpho} from "@morpho-org/morpho-blue/src/Morpho.sol";
import {IrmMock} from "@morpho-org/morpho-blue/src/mocks/IrmMock.sol";
import {FlashBorrowerMock} from "@morpho-org/morpho-blue/src/mocks/FlashBorrowerMock.sol";
