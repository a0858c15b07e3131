// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IPool} from "@aave/core-v3/contracts/interfaces/IPool.sol";
import {IMorpho, MarketParams} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";
import {MarketParamsLib} from "@morpho-org/morpho-blue/src/libraries/MarketParamsLib.sol";
import {MorphoBalancesLib} from "@morpho-org/morpho-blue/src/libraries/periphery/MorphoBalancesLib.sol";
import {MorphoLib} from "@morpho-org/morpho-blue/src/libraries/periphery/MorphoLib.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {StaticReads} from "../libraries/StaticReads.sol";
import {GasFloorProbe} from "./GasFloorProbe.sol";
import {MorphoGasFloorProbe} from "./MorphoGasFloorProbe.sol";
import {RefinanceFloorProbe} from "./RefinanceFloorProbe.sol";
import {GuardReads} from "./GuardReads.sol";

// The guarded builds of the three floor probes: the same probe plus `guarded` (or `guardedMove`), which makes the
// probe's calls for the operation with the guards the mission mandates for it (GuardReads). The bench runs a guarded
// build in place of the floor probe's code, at the floor probe's address and on its state, for the one transaction
// that measures the guarded floor (scripts/lib/bench/gas.ts): the floor probes themselves stay exactly as they are,
// so the floor figures do not move. Only the runtime code of a guarded build is used; its storage is GuardReads'
// one keeper slot (slot 0), which the bench writes at the floor probe's address.

/// @title GuardedGasFloorProbe
/// @notice GasFloorProbe (Aave V3) with its operations' mandated guards.
contract GuardedGasFloorProbe is GasFloorProbe, GuardReads {
    /// @dev Aave's aToken of the collateral and variable-debt token of the debt: the position's balances.
    address private immutable A_TOKEN;
    address private immutable VARIABLE_DEBT_TOKEN;

    constructor(IPool pool, ISwapRouter router, address collateral, address debt, uint24 fee, GuardConfig memory guards)
        GasFloorProbe(pool, router, collateral, debt, fee)
        GuardReads(guards, collateral, debt, IERC20Metadata(collateral).decimals(), IERC20Metadata(debt).decimals())
    {
        A_TOKEN = pool.getReserveData(collateral).aTokenAddress;
        VARIABLE_DEBT_TOKEN = pool.getReserveData(debt).variableDebtTokenAddress;
    }

    /// @notice `op`'s probe call with its mandated guards, in one transaction: Deposit `lever(a, b)`; Withdrawal and
    ///         StopLoss `exit(a, b, to)`; KeeperDeleverage and Ripcord `delever(a, b, to)`. Its gas is the guarded
    ///         floor of the operation.
    function guarded(GuardedOp op, uint256 a, uint256 b, address to) external {
        (uint256 collateralPrice, uint256 debtPrice) = _guardsBefore(op);
        if (op == GuardedOp.Deposit) lever(a, b);
        else if (op == GuardedOp.Withdrawal || op == GuardedOp.StopLoss) exit(a, b, to);
        else delever(a, b, to);
        _guardsAfter(op, collateralPrice, debtPrice);
    }

    /// @dev The aToken and variable-debt balances, as the Aave vault reads its position.
    function _positionBalances() internal view override returns (uint256, uint256) {
        return (StaticReads.balanceOf(A_TOKEN, address(this)), StaticReads.balanceOf(VARIABLE_DEBT_TOKEN, address(this)));
    }
}

/// @title GuardedMorphoGasFloorProbe
/// @notice MorphoGasFloorProbe (Morpho Blue) with its operations' mandated guards.
contract GuardedMorphoGasFloorProbe is MorphoGasFloorProbe, GuardReads {
    using MarketParamsLib for MarketParams;
    using MorphoBalancesLib for IMorpho;
    using MorphoLib for IMorpho;

    constructor(IMorpho morpho, ISwapRouter router, MarketParams memory market, uint24 fee, GuardConfig memory guards)
        MorphoGasFloorProbe(morpho, router, market, fee)
        GuardReads(
            guards,
            market.collateralToken,
            market.loanToken,
            IERC20Metadata(market.collateralToken).decimals(),
            IERC20Metadata(market.loanToken).decimals()
        )
    {}

    /// @notice `op`'s probe call with its mandated guards, as GuardedGasFloorProbe.guarded.
    function guarded(GuardedOp op, uint256 a, uint256 b, address to) external {
        (uint256 collateralPrice, uint256 debtPrice) = _guardsBefore(op);
        if (op == GuardedOp.Deposit) lever(a, b);
        else if (op == GuardedOp.Withdrawal || op == GuardedOp.StopLoss) exit(a, b, to);
        else delever(a, b, to);
        _guardsAfter(op, collateralPrice, debtPrice);
    }

    /// @dev Collateral and debt with interest to this block, read as the Morpho vault reads its position.
    function _positionBalances() internal view override returns (uint256, uint256) {
        MarketParams memory market = MarketParams(DEBT, COLLATERAL, ORACLE, IRM, LLTV);
        return (MORPHO.collateral(market.id(), address(this)), MORPHO.expectedBorrowAssets(market, address(this)));
    }
}

/// @title GuardedRefinanceFloorProbe
/// @notice RefinanceFloorProbe with the refinance's mandated guards.
contract GuardedRefinanceFloorProbe is RefinanceFloorProbe, GuardReads {
    using MarketParamsLib for MarketParams;
    using MorphoBalancesLib for IMorpho;
    using MorphoLib for IMorpho;

    address private immutable A_TOKEN;
    address private immutable VARIABLE_DEBT_TOKEN;
    /// @dev Where the guarded move went, for the post-condition's read (this transaction only).
    bool private transient _movedToMorpho;

    constructor(IPool pool, IMorpho morpho, MarketParams memory market, GuardConfig memory guards)
        RefinanceFloorProbe(pool, morpho, market)
        GuardReads(
            guards,
            market.collateralToken,
            market.loanToken,
            IERC20Metadata(market.collateralToken).decimals(),
            IERC20Metadata(market.loanToken).decimals()
        )
    {
        A_TOKEN = pool.getReserveData(market.collateralToken).aTokenAddress;
        VARIABLE_DEBT_TOKEN = pool.getReserveData(market.loanToken).variableDebtTokenAddress;
    }

    /// @notice `move(toMorpho, debt)` with the refinance's guards (GuardReads.GuardedOp.Refinance): its gas is the
    ///         refinance's guarded floor.
    function guardedMove(bool toMorpho, uint256 debt) external {
        (uint256 collateralPrice, uint256 debtPrice) = _guardsBefore(GuardedOp.Refinance);
        move(toMorpho, debt);
        _movedToMorpho = toMorpho;
        _guardsAfter(GuardedOp.Refinance, collateralPrice, debtPrice);
    }

    /// @dev The position on the venue the move went to, read as the vault on that venue reads its own.
    function _positionBalances() internal view override returns (uint256, uint256) {
        if (_movedToMorpho) {
            MarketParams memory market = MarketParams(DEBT, COLLATERAL, ORACLE, IRM, LLTV);
            return (MORPHO.collateral(market.id(), address(this)), MORPHO.expectedBorrowAssets(market, address(this)));
        }
        return (StaticReads.balanceOf(A_TOKEN, address(this)), StaticReads.balanceOf(VARIABLE_DEBT_TOKEN, address(this)));
    }
}
