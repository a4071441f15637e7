/** The venue contract lives in src/common/exchange-protocol: the broker's exchange gateway speaks it too. */
export * from '../../common/exchange-protocol/venue.types';
