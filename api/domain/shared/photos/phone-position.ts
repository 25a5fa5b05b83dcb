import { decimalOrUndefined } from '../text-input.ts';

/** The phone's position, sent with field photos for those whose GPS the camera app stripped. */
export const phonePosition = {
  lat: decimalOrUndefined('纬度', { min: -90, max: 90, invalid: '手机定位的纬度无效', range: '手机定位的纬度无效' }),
  lng: decimalOrUndefined('经度', { min: -180, max: 180, invalid: '手机定位的经度无效', range: '手机定位的经度无效' }),
};
