// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVaultOutageTypes} from "../interfaces/IVaultEmergency.sol";

/// @title OutageSettings
/// @notice The outage path's defaults and bounds (OUTAGE-1): the settings module validates a configuration with
///         them, the emergency module runs on the configuration with its defaults filled in.
library OutageSettings {
    /// @dev Defaults of a zero field.
    uint32 internal constant DEFAULT_GRACE = 600;
    uint32 internal constant DEFAULT_TWAP_WINDOW = 1800;
    uint16 internal constant DEFAULT_TWAP_DEVIATION_BPS = 500;
    uint16 internal constant DEFAULT_ACTION_BPS = 2500;
    uint16 internal constant DEFAULT_HOURLY_BPS = 5000;
    /// @dev Bounds of a set field.
    uint32 internal constant MIN_TWAP_WINDOW = 600;
    uint32 internal constant MAX_TWAP_WINDOW = 7200;
    uint32 internal constant MIN_GRACE = 60;
    uint32 internal constant MAX_GRACE = 1 days;
    uint16 internal constant MAX_TWAP_DEVIATION_BPS = 1000;
    uint16 internal constant MAX_HOURLY_BPS = 10_000;

    /// @dev `config` with every zero field replaced by its default.
    function withDefaults(IVaultOutageTypes.OutageConfig memory config)
        internal
        pure
        returns (IVaultOutageTypes.OutageConfig memory)
    {
        if (config.gracePeriod == 0) config.gracePeriod = DEFAULT_GRACE;
        if (config.twapWindow == 0) config.twapWindow = DEFAULT_TWAP_WINDOW;
        if (config.maxTwapDeviationBps == 0) config.maxTwapDeviationBps = DEFAULT_TWAP_DEVIATION_BPS;
        if (config.maxActionBps == 0) config.maxActionBps = DEFAULT_ACTION_BPS;
        if (config.maxHourlyBps == 0) config.maxHourlyBps = DEFAULT_HOURLY_BPS;
        return config;
    }

    /// @dev Zero fields take their defaults; set ones must be within bounds: the TWAP window 10 min .. 2 h, the
    ///      grace 1 min .. 1 day, the TWAP deviation at most the hard DEX-deviation bound (10 %), a call's cap at
    ///      most the hour's.
    function isValid(IVaultOutageTypes.OutageConfig memory config) internal pure returns (bool) {
        return (config.twapWindow == 0 || (config.twapWindow >= MIN_TWAP_WINDOW && config.twapWindow <= MAX_TWAP_WINDOW))
            && (config.gracePeriod == 0 || (config.gracePeriod >= MIN_GRACE && config.gracePeriod <= MAX_GRACE))
            && config.maxTwapDeviationBps <= MAX_TWAP_DEVIATION_BPS && config.maxHourlyBps <= MAX_HOURLY_BPS
            && (config.maxActionBps == 0 ? DEFAULT_ACTION_BPS : config.maxActionBps)
                <= (config.maxHourlyBps == 0 ? DEFAULT_HOURLY_BPS : config.maxHourlyBps);
    }
}
